import { linearizable } from './families/linearizable.ts';
import { propertyTest } from './suite.ts';

propertyTest(linearizable);
