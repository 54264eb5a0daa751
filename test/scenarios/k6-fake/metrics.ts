import { fake } from './fake.ts';

class Metric {
  constructor(readonly name: string) {
    fake().metrics[name] ??= [];
  }
  add(value: number): void {
    (fake().metrics[this.name] ??= []).push(value);
  }
}

export class Counter extends Metric {}
export class Trend extends Metric {}
