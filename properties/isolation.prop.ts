import { isolation } from './families/isolation.ts';
import { propertyTest } from './suite.ts';

propertyTest(isolation);
