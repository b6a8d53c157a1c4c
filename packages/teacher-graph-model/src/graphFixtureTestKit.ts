// For the specs only (not built into dist): the fixtures of fixtures/make-fixture.mjs, as written and as edited.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadGraphModel } from '@distillery/node';
import * as tfc from '@tensorflow/tfjs-converter';
import type * as tf from '@tensorflow/tfjs-core';

export type FixtureName = 'mlp-graph' | 'conv-graph';

/** One GraphDef node as model.json holds it. */
export interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
}

/** The parts of a fixture's model.json that the specs edit. */
export interface FixtureJson extends tf.io.ModelJSON {
  modelTopology: { node: GraphNode[] };
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

const directoryOf = (name: FixtureName) => fileURLToPath(new URL(`../fixtures/${name}/`, import.meta.url));

/** The fixture loaded from disk by @distillery/node, the way the CLI loads a `type: graph-model` teacher. */
export function loadFixture(name: FixtureName): Promise<tfc.GraphModel> {
  return loadGraphModel(directoryOf(name));
}

/** Changes to a fixture: to its model.json (nodes, signature, weight specs), made in place, and to its weight bytes. */
export interface FixtureEdits {
  readonly graph?: (json: FixtureJson) => void;
  readonly weights?: (weights: Uint8Array) => Uint8Array;
}

/**
 * The fixture after `edits`, loaded from memory: the graphs the error specs need, each one change away from a working
 * one.
 */
export function editedFixture(name: FixtureName, edits: FixtureEdits = {}) {
  const directory = directoryOf(name);
  const json = JSON.parse(readFileSync(`${directory}model.json`, 'utf8')) as FixtureJson;
  const shards = json.weightsManifest.flatMap((group) => group.paths.map((path) => readFileSync(`${directory}${path}`)));
  const weights = new Uint8Array(Buffer.concat(shards));
  edits.graph?.(json);
  const edited = edits.weights?.(weights) ?? weights;
  return tfc.loadGraphModelSync([json, edited.slice().buffer]);
}

/** The attributes of the node named `name`, to edit in place. */
export function attributesOf(json: FixtureJson, name: string): Record<string, unknown> {
  const found = json.modelTopology.node.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no node ${name} in the fixture`);
  found.attr ??= {};
  return found.attr;
}

/** A node that applies `op` to `inputs`, with float32 as its type attribute. */
export function node(name: string, op: string, inputs: string[], attr: Record<string, unknown> = {}): GraphNode {
  return { name, op, input: inputs, attr: { T: { type: 'DT_FLOAT' }, ...attr } };
}

/** Puts `nodes` into the graph in place of the node named `replaced` (or at the end), so the edit reads as a patch. */
export function replaceNode(json: FixtureJson, replaced: string | undefined, ...nodes: GraphNode[]): void {
  const list = json.modelTopology.node;
  const index = replaced === undefined ? list.length : list.findIndex((found) => found.name === replaced);
  if (index < 0) throw new Error(`no node ${replaced} in the fixture`);
  list.splice(index, replaced === undefined ? 0 : 1, ...nodes);
}
