// Checks real answers of the server against docs/openapi.yaml, the description the console's
// API types are generated from, so the two cannot drift apart unnoticed.
//
// OpenAPI 3.1 schemas are JSON Schema 2020-12, so the whole document is given to Ajv as one
// schema and each answer is validated against the pointer to its response's schema.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Ajv2020 from 'ajv/dist/2020.js';
import { parse } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DOCUMENT_ID = 'openapi.json';

// A JSON pointer token: `/` and `~` escaped.
const token = (text) => text.replaceAll('~', '~0').replaceAll('/', '~1');

// Makes every object schema that lists its properties refuse members it does not list, unless it
// says otherwise (records carry their object's fields) or is one part of an allOf (its other
// parts list the rest): an answer member missing from the description is drift too.
function closeObjects(schema, partOfAllOf = false) {
  if (Array.isArray(schema)) {
    schema.forEach((item) => closeObjects(item, partOfAllOf));
    return;
  }
  if (schema === null || typeof schema !== 'object') return;
  if (schema.properties && !('additionalProperties' in schema) && !partOfAllOf) schema.additionalProperties = false;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties') Object.values(value).forEach((property) => closeObjects(property));
    else closeObjects(value, key === 'allOf');
  }
}

export function loadContract(file = path.join(ROOT, 'docs/openapi.yaml')) {
  const document = parse(readFileSync(file, 'utf8'));
  closeObjects(document.components.schemas);
  closeObjects(document.paths);
  // The document is not itself a schema: unknown keywords (paths, info…) are data to Ajv.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema(document, DOCUMENT_ID);
  const compiled = new Map();

  // The response object for this status (or `default`), following a $ref to components.
  function responseOf(method, route, status) {
    const operation = document.paths?.[route]?.[method.toLowerCase()];
    if (!operation) throw new Error(`${method} ${route} is not in docs/openapi.yaml`);
    const key = String(status) in operation.responses ? String(status) : 'default';
    let response = operation.responses[key];
    if (!response) throw new Error(`${method} ${route} documents no ${status} answer`);
    let pointer = `#/paths/${token(route)}/${method.toLowerCase()}/responses/${key}`;
    if (response.$ref) {
      pointer = response.$ref;
      response = response.$ref
        .slice(2)
        .split('/')
        .reduce((at, name) => at[name.replaceAll('~1', '/').replaceAll('~0', '~')], document);
    }
    return { response, pointer, key };
  }

  /**
   * Validates one answer: `route` is the documented path template (e.g.
   * "/api/v1/records/{object}"). Throws with every mismatch, naming the JSON pointer of each.
   */
  function check(method, route, answer) {
    const { response, pointer, key } = responseOf(method, route, answer.status);
    if (key === 'default' && answer.status < 400) {
      throw new Error(`${method} ${route} answered ${answer.status}, which docs/openapi.yaml does not list`);
    }
    const contentType = (answer.contentType ?? '').split(';')[0].trim();
    if (!response.content) {
      if (answer.text) throw new Error(`${method} ${route} ${answer.status} has a body the description says it has not`);
      return;
    }
    if (!(contentType in response.content)) {
      throw new Error(`${method} ${route} ${answer.status} answered ${contentType}, documented: ${Object.keys(response.content).join(', ')}`);
    }
    const schemaPointer = `${pointer}/content/${token(contentType)}/schema`;
    if (!compiled.has(schemaPointer)) {
      compiled.set(schemaPointer, ajv.compile({ $ref: `${DOCUMENT_ID}${schemaPointer}` }));
    }
    const validate = compiled.get(schemaPointer);
    if (!validate(answer.json)) {
      const problems = validate.errors
        .map((e) => `  ${e.instancePath || '/'} ${e.message}${e.params?.additionalProperty ? `: ${e.params.additionalProperty}` : ''} (${e.schemaPath})`)
        .join('\n');
      throw new Error(`${method} ${route} ${answer.status} does not match docs/openapi.yaml:\n${problems}`);
    }
  }

  return { document, check };
}
