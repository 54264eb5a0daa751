import { cleanup } from './families/cleanup.ts';
import { propertyTest } from './suite.ts';

propertyTest(cleanup);
