import { fake } from './fake.ts';

/** k6 ends the test at `abort`; here it records the reason and throws, which ends the function as k6 would. */
export class TestAborted extends Error {}

export default {
  test: {
    abort(reason: string): never {
      fake().aborted = reason;
      throw new TestAborted(reason);
    },
  },
  vu: {
    get idInTest() {
      return fake().vu;
    },
  },
  instance: { currentTestRunDuration: 0 },
};
