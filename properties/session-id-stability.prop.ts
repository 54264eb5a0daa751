import { sessionIdStability } from './families/session-id-stability.ts';
import { propertyTest } from './suite.ts';

propertyTest(sessionIdStability);
