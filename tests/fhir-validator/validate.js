// Validates FHIR R4 resources with the `fhir` package, an implementation independent of
// payer360. Usage: node validate.js FILE… — each file holds one resource (JSON). Prints one JSON
// line per file: {"file", "valid", "messages": [...]} and exits 1 when any is invalid.
'use strict';
const fs = require('fs');
const { Fhir } = require('fhir');

const fhir = new Fhir();
let invalid = 0;
for (const file of process.argv.slice(2)) {
  const resource = JSON.parse(fs.readFileSync(file, 'utf8'));
  const result = fhir.validate(resource, { errorOnUnexpected: true });
  const errors = result.messages.filter((message) => message.severity === 'error');
  if (!result.valid || errors.length > 0) {
    invalid += 1;
  }
  console.log(JSON.stringify({ file, valid: result.valid && errors.length === 0, messages: errors }));
}
process.exit(invalid > 0 ? 1 : 0);
