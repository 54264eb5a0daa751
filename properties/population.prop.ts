import { population } from './families/population.ts';
import { propertyTest } from './suite.ts';

propertyTest(population);
