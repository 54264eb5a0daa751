import { noDuplicateCarts } from './families/no-duplicate-carts.ts';
import { propertyTest } from './suite.ts';

propertyTest(noDuplicateCarts);
