import { invalidation } from './families/invalidation.ts';
import { propertyTest } from './suite.ts';

propertyTest(invalidation);
