/**
 * Read YAML files with positions, so every complaint about a config file names `file:line:col`.
 */
import {readFileSync} from 'node:fs';
import {LineCounter, parseAllDocuments, isNode, type Document} from 'yaml';
import {fail, type KpError} from '../core/errors.js';

/** A parsed YAML file whose documents can still answer "where is this node?". */
export interface YamlFile {
  path: string;
  documents: Document.Parsed[];
  lineCounter: LineCounter;
}

/** `file:line:col` of a character offset. */
export function positionOf(file: Pick<YamlFile, 'path' | 'lineCounter'>, offset: number | undefined): string {
  if (offset === undefined) return file.path;
  const {line, col} = file.lineCounter.linePos(offset);
  return `${file.path}:${line}:${col}`;
}

/** `file:line:col` of the node at `pathInDoc` inside document `doc` (falls back to the document start). */
export function positionIn(file: YamlFile, doc: Document.Parsed, pathInDoc: ReadonlyArray<string | number>): string {
  const node = pathInDoc.length === 0 ? doc.contents : doc.getIn(pathInDoc, true);
  const range = isNode(node) ? node.range : doc.contents && isNode(doc.contents) ? doc.contents.range : undefined;
  return positionOf(file, range?.[0]);
}

/** A usage error pointing at a place in a config file. */
export function configError(where: string, message: string, hint?: string): KpError {
  return fail.usage(`${where}: ${message}`, hint);
}

/** Parse YAML text (all `---` documents); syntax errors become a usage error with file:line:col. */
export function parseYamlText(text: string, filePath: string): YamlFile {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, {lineCounter, prettyErrors: false});
  // parseAllDocuments returns an EmptyStream (not an array) for empty input.
  const docs = Array.isArray(documents) ? documents : [];
  const file: YamlFile = {path: filePath, documents: docs, lineCounter};
  for (const doc of docs) {
    const first = doc.errors[0];
    if (first) {
      throw configError(positionOf(file, first.pos[0]), `invalid YAML: ${first.message.split('\n')[0]}`);
    }
  }
  return file;
}

/** Read and parse a YAML file; a missing file is a usage error naming it. */
export function readYamlFile(filePath: string): YamlFile {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (error) {
    throw fail.usage(`Cannot read ${filePath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return parseYamlText(text, filePath);
}
