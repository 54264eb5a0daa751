import { refreshRotation } from './families/refresh-rotation.ts';
import { propertyTest } from './suite.ts';

propertyTest(refreshRotation);
