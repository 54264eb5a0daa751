import { rotationOnLogin } from './families/rotation-on-login.ts';
import { propertyTest } from './suite.ts';

propertyTest(rotationOnLogin);
