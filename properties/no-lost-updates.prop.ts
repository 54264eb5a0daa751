import { noLostUpdates } from './families/no-lost-updates.ts';
import { propertyTest } from './suite.ts';

propertyTest(noLostUpdates);
