/**
 * Which signature, if any, a log line is: Dify's known ones first, then the user's own patterns
 * from settings. A user's pattern is tried on the first USER_LINE_CHARS of a line only, so that a
 * pattern that backtracks badly costs a bounded time per line.
 */
import type { LogSignatureRef } from '../model.ts';
import { SIGNATURES, type Signature } from './signatures.ts';

/** A pattern from settings; the settings schema has the same shape and checks that it compiles. */
export interface UserPattern {
  readonly name: string;
  readonly pattern: string;
  readonly severity: 'warning' | 'critical';
}

export interface Matched {
  readonly signature: LogSignatureRef;
  readonly pid: number | null;
  readonly subject: string | null;
}

const USER_LINE_CHARS = 2_000;

interface Compiled {
  readonly ref: LogSignatureRef;
  readonly pattern: RegExp;
  readonly clip: number;
}

function refOf(s: Signature): LogSignatureRef {
  return {
    id: s.id,
    title: s.title,
    severity: s.severity,
    kill: s.kill === true,
    explainedBy: s.explainedBy ?? null,
    burst: s.burst ?? null,
  };
}

const BUILT_IN: readonly Compiled[] = SIGNATURES.map((s) => ({
  ref: refOf(s),
  pattern: s.pattern,
  clip: Infinity,
}));

/** A user's pattern as a compiled entry; null for one that does not compile (the schema refuses those). */
function userEntry(p: UserPattern): Compiled | null {
  try {
    const pattern = new RegExp(p.pattern);
    const ref = {
      id: `user:${p.name}`,
      title: p.name,
      severity: p.severity,
      kill: false,
      explainedBy: null,
      burst: null,
    };
    return { ref, pattern, clip: USER_LINE_CHARS };
  } catch {
    return null;
  }
}

export class Matcher {
  readonly #entries: readonly Compiled[];

  constructor(user: readonly UserPattern[] = []) {
    this.#entries = [...BUILT_IN, ...user.map(userEntry).filter((e) => e !== null)];
  }

  match(line: string): Matched | null {
    for (const entry of this.#entries) {
      const found = entry.pattern.exec(line.length > entry.clip ? line.slice(0, entry.clip) : line);
      if (found === null) continue;
      // A signature's first group that matched says what the line is about: a pid, a plugin.
      const subject = found.slice(1).find((g) => g !== undefined) ?? null;
      const pid = subject !== null && /^\d{1,9}$/.test(subject) ? Number(subject) : null;
      return { signature: entry.ref, pid, subject };
    }
    return null;
  }
}
