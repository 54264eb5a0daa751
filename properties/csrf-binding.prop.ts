import { csrfBinding } from './families/csrf-binding.ts';
import { propertyTest } from './suite.ts';

propertyTest(csrfBinding);
