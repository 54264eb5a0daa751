import { strictMode } from './families/strict-mode.ts';
import { propertyTest } from './suite.ts';

propertyTest(strictMode);
