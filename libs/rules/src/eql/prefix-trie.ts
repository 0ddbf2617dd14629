/**
 * A character trie of literal texts, for "which of these texts does a string start with?"
 * (or, built reversed, "end with?") in one walk over the string, however many texts there
 * are. Used by the wildcard-list matcher (`abc*`, `*abc`) and the engine's rule index
 * (value prefixes). Nodes keep their children in small parallel arrays (a prefix trie is
 * mostly chains), switching to a Map when one fans out widely.
 */
const WIDE = 12;

class TrieNode<T> {
  codes: number[] = [];
  kids: TrieNode<T>[] = [];
  wide: Map<number, TrieNode<T>> | null = null;
  /** The values of the texts ending here. */
  values: T[] | null = null;

  child(code: number): TrieNode<T> | undefined {
    if (this.wide !== null) return this.wide.get(code);
    const codes = this.codes;
    for (let i = 0; i < codes.length; i++) if (codes[i] === code) return this.kids[i];
    return undefined;
  }

  add(code: number): TrieNode<T> {
    const node = new TrieNode<T>();
    this.codes.push(code);
    this.kids.push(node);
    if (this.wide !== null) this.wide.set(code, node);
    else if (this.codes.length > WIDE) this.wide = new Map(this.codes.map((c, i) => [c, this.kids[i]]));
    return node;
  }
}

export class PrefixTrie<T> {
  private readonly root = new TrieNode<T>();
  private size = 0;

  /** `reversed`: texts are matched against the end of strings (suffixes). */
  constructor(private readonly reversed = false) {}

  get empty(): boolean {
    return this.size === 0;
  }

  insert(text: string, value: T): void {
    let node = this.root;
    const n = text.length;
    for (let k = 0; k < n; k++) {
      const code = text.charCodeAt(this.reversed ? n - 1 - k : k);
      node = node.child(code) ?? node.add(code);
    }
    node.values ??= [];
    if (!node.values.includes(value)) node.values.push(value);
    this.size++;
  }

  /** Calls `visit` with the values of every inserted text the string starts (ends) with. */
  forEachMatch(text: string, visit: (values: T[]) => void): void {
    let node: TrieNode<T> | undefined = this.root;
    const n = text.length;
    for (let k = 0; ; k++) {
      if (node.values !== null) visit(node.values);
      if (k === n) return;
      node = node.child(text.charCodeAt(this.reversed ? n - 1 - k : k));
      if (node === undefined) return;
    }
  }

  /** Whether the string starts (ends) with any inserted text. */
  matches(text: string): boolean {
    let node: TrieNode<T> | undefined = this.root;
    const n = text.length;
    for (let k = 0; ; k++) {
      if (node.values !== null) return true;
      if (k === n) return false;
      node = node.child(text.charCodeAt(this.reversed ? n - 1 - k : k));
      if (node === undefined) return false;
    }
  }
}
