import { storeDecorator, type Fault } from './fault.ts';

export const noAbsoluteTimeout: Fault = {
  id: 'no-absolute-timeout',
  description: 'rolling renewal extends every session forever',
  symptom: 'a client that keeps pinging is never signed out',
  source: 'expressjs/session#557, lucia#1038',
  multiInstance: false,
  apply: storeDecorator((inner) => ({
    createSession: (secret, record) => inner.createSession(secret, { ...record, absoluteExpiresAt: null }),
  })),
};
