// Stryker ignore-plugin: leaves out every mutant inside a region mutation/out-of-scope.json names by its opening code.
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';
import { outOfScopeIgnorer } from './scope.mjs';

export const strykerPlugins = [declareValuePlugin(PluginKind.Ignore, 'out-of-scope', outOfScopeIgnorer)];
