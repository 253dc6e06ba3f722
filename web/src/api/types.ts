// Names for the API's shapes, generated from docs/openapi.yaml into schema.gen.ts at build time.
import type { components } from './schema.gen';

type Schemas = components['schemas'];

export type Problem = Schemas['Problem'];
export type Session = Schemas['Session'];
export type SessionUser = Schemas['SessionUser'];
export type ApiRecord = Schemas['Record'];
export type RecordPage = Schemas['RecordPage'];
export type ObjectSummary = Schemas['ObjectSummary'];
export type ObjectDescription = Schemas['ObjectDescription'];
export type Field = Schemas['Field'];
export type FieldType = Schemas['FieldType'];
export type NewField = Schemas['NewField'];
export type NewObject = Schemas['NewObject'];
export type HistoryEntry = Schemas['HistoryEntry'];
export type SearchResults = Schemas['SearchResults'];
export type SearchMember = Schemas['SearchMember'];
export type Member360 = Schemas['Member360'];
export type ClaimsMonth = Schemas['ClaimsMonth'];
export type TimelineEntry = Schemas['TimelineEntry'];
export type User = Schemas['User'];
export type Role = Schemas['Role'];
export type PermissionSet = Schemas['PermissionSet'];
export type AuditEntry = Schemas['AuditEntry'];
