import { cartRace } from './cart-race.ts';
import { guestDuringLogin } from './guest-during-login.ts';
import { mergeRace } from './merge-race.ts';
import type { RaceDefinition } from './race.ts';
import { refreshRace } from './refresh-race.ts';

/** Every in-process race. */
export const races: RaceDefinition[] = [cartRace, mergeRace, guestDuringLogin, refreshRace];
