import { mergeCorrectness } from './families/merge-correctness.ts';
import { propertyTest } from './suite.ts';

propertyTest(mergeCorrectness);
