#!/usr/bin/env node
// The sources are TypeScript run through tsx, so there is no build step between a checkout and a run, and an installed
// sessionproof runs the same sources from node_modules. tsx also loads the user's adapter (TypeScript or JavaScript),
// whose `import ... from 'sessionproof'` resolves to the adapters/index.ts that this process uses.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
