/**
 * Finds where a JSON text stops being valid, so that a bad `.sigmf-meta` is reported as
 * `file:line: invalid JSON: ... at line L, column C` whatever the JavaScript engine's own message
 * says. Used only after `JSON.parse` has failed. Iterative (an explicit stack), so deeply nested
 * input cannot overflow the call stack.
 */

export interface JsonSyntaxError {
  /** What is wrong, e.g. `expected ',' or '}'`. */
  readonly problem: string;
  /** 1-based line and column (in UTF-16 code units) of the first offending character. */
  readonly line: number;
  readonly column: number;
}

type Expect = 'value' | 'valueOrClose' | 'keyOrClose' | 'key' | 'colon' | 'commaOrClose' | 'end';

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function describeChar(text: string, i: number): string {
  if (i >= text.length) return 'the end of the file';
  const c = text.charCodeAt(i);
  if (c < 0x20) return `control character 0x${c.toString(16).padStart(2, '0')}`;
  return `'${text[i] as string}'`;
}

/** Scans a string starting at the opening quote; returns the index after the closing quote or an error. */
function scanString(text: string, start: number): number | { at: number; problem: string } {
  let i = start + 1;
  for (;;) {
    if (i >= text.length) return { at: start, problem: 'unterminated string' };
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) {
      return {
        at: i,
        problem: `${describeChar(text, i)} inside a string (write it as an escape such as \\n)`,
      };
    }
    if (c === 0x5c) {
      const e = text[i + 1];
      if (e === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          return { at: i, problem: 'bad \\u escape: it needs 4 hexadecimal digits' };
        }
        i += 6;
        continue;
      }
      if (e === undefined || !'"\\/bfnrt'.includes(e)) {
        return { at: i, problem: `bad escape ${JSON.stringify(`\\${e ?? ''}`)} in a string` };
      }
      i += 2;
      continue;
    }
    i++;
  }
}

function lineColumn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: index - lineStart + 1 };
}

/** Returns the first syntax error in `text`, or `undefined` when `text` is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const stack: ('[' | '{')[] = [];
  let expect: Expect = 'value';
  let i = 0;
  const fail = (at: number, problem: string): JsonSyntaxError => ({ problem, ...lineColumn(text, at) });
  const afterValue = (): Expect => (stack.length === 0 ? 'end' : 'commaOrClose');

  for (;;) {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
    if (i >= text.length) {
      if (expect === 'end') return undefined;
      return fail(
        i,
        stack.length > 0 ? `unexpected end of file: ${stack.length} unclosed bracket(s)` : 'empty file',
      );
    }
    const ch = text[i] as string;
    switch (expect) {
      case 'value':
      case 'valueOrClose': {
        if (ch === ']' && expect === 'valueOrClose') {
          stack.pop();
          i++;
          expect = afterValue();
          break;
        }
        if (ch === '{') {
          stack.push('{');
          i++;
          expect = 'keyOrClose';
          break;
        }
        if (ch === '[') {
          stack.push('[');
          i++;
          expect = 'valueOrClose';
          break;
        }
        if (ch === '"') {
          const end = scanString(text, i);
          if (typeof end !== 'number') return fail(end.at, end.problem);
          i = end;
          expect = afterValue();
          break;
        }
        if (ch === '-' || (ch >= '0' && ch <= '9')) {
          NUMBER.lastIndex = i;
          const m = NUMBER.exec(text);
          if (m === null) return fail(i, `bad number`);
          i += m[0].length;
          expect = afterValue();
          break;
        }
        const literal = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
        if (literal !== undefined) {
          i += literal.length;
          expect = afterValue();
          break;
        }
        return fail(i, `unexpected ${describeChar(text, i)}: expected a value`);
      }
      case 'keyOrClose':
      case 'key': {
        if (ch === '}' && expect === 'keyOrClose') {
          stack.pop();
          i++;
          expect = afterValue();
          break;
        }
        if (ch !== '"') {
          return fail(
            i,
            `unexpected ${describeChar(text, i)}: expected a property name in double quotes${expect === 'key' ? ' (no trailing comma before })' : ''}`,
          );
        }
        const end = scanString(text, i);
        if (typeof end !== 'number') return fail(end.at, end.problem);
        i = end;
        expect = 'colon';
        break;
      }
      case 'colon':
        if (ch !== ':')
          return fail(i, `unexpected ${describeChar(text, i)}: expected ':' after the property name`);
        i++;
        expect = 'value';
        break;
      case 'commaOrClose': {
        const top = stack[stack.length - 1];
        const close = top === '[' ? ']' : '}';
        if (ch === ',') {
          i++;
          expect = top === '[' ? 'value' : 'key';
          break;
        }
        if (ch === close) {
          stack.pop();
          i++;
          expect = afterValue();
          break;
        }
        return fail(i, `unexpected ${describeChar(text, i)}: expected ',' or '${close}'`);
      }
      case 'end':
        return fail(i, `unexpected ${describeChar(text, i)} after the end of the JSON document`);
    }
  }
}
