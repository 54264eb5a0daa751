import Router from '@koa/router';
import type { AppCustom, AppState } from '../context.ts';

export type AppRouter = Router<AppState, AppCustom>;

export function createRouter(): AppRouter {
  return new Router<AppState, AppCustom>();
}
