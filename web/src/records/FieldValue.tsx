import { Anchor, Text } from '@mantine/core';

import type { Field } from '../api/types';
import { formatValue } from '../common/format';
import { RecordLink } from '../common/RecordLink';

/** A field's value for reading: references as links, everything else formatted. */
export function FieldValue({ field, value }: { field: Field | undefined; value: unknown }) {
  if (field?.type === 'reference' && typeof value === 'string' && value && field.referenceTo) {
    return <RecordLink object={field.referenceTo} id={value} />;
  }
  if (field?.type === 'url' && typeof value === 'string' && /^https?:\/\//.test(value)) {
    return (
      <Anchor href={value} target="_blank" rel="noreferrer">
        {value}
      </Anchor>
    );
  }
  return (
    <Text span size="sm">
      {formatValue(field, value)}
    </Text>
  );
}
