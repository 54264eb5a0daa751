export type StoreKind = 'memory' | 'redis' | 'postgres';

export interface Exclusion {
  file: string;
  code?: string;
  reason: string;
}

export interface Equivalent {
  file: string;
  code: string;
  /** Text of the line the mutant starts on, when `code` alone is not unique in the file. */
  line?: string;
  mutator: string;
  replacement: string;
  reason: string;
}

export const root: string;
export const exclusions: Exclusion[];
export const equivalents: Equivalent[];
export const storeFiles: Record<StoreKind, string[]>;
export function storeKind(env: Record<string, string | undefined>): StoreKind;
export function mutatePatterns(kind: StoreKind): string[];
export function mutatedFiles(kind: StoreKind): string[];
export interface ListedMutant {
  fileName: string;
  mutatorName: string;
  replacement?: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
}
export function listMutants(kind: StoreKind): Promise<ListedMutant[]>;
export function sampleRanges(kind: StoreKind, count: number): Promise<string[]>;
export const outOfScopeIgnorer: { shouldIgnore(nodePath: unknown): string | undefined };
export function regionExclusion(file: string, source: string): Exclusion | undefined;
export function reportDirectory(env: Record<string, string | undefined>): string;
export const suiteFolders: string[];
export function suitesFingerprint(): string;
export function sampleSize(env: Record<string, string | undefined>): number;
