import type { ChildProcess } from 'node:child_process';

export function freePort(): Promise<number>;
export function until<T>(fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, opts?: { timeoutMs?: number; stepMs?: number; what?: string }): Promise<T>;
export function waitForPort(port: number, timeoutMs?: number): Promise<void>;
export function descendants(pid: number): number[];
export function processesMatching(needle: string): Promise<number[]>;
export function killGroup(child: ChildProcess | undefined, graceMs?: number): Promise<void>;
