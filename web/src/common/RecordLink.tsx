import { Anchor } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';

import { api, call } from '../api/client';
import type { ApiRecord } from '../api/types';
import { recordTitle } from './format';

// Titles of referenced records, shared by every page while the console is open.
const titles = new Map<string, Promise<string>>();

export function titleOf(object: string, id: string): Promise<string> {
  const key = `${object}/${id}`;
  let pending = titles.get(key);
  if (!pending) {
    pending = call(api.GET('/api/v1/records/{object}/{id}', { params: { path: { object, id } } })).then(
      (record: ApiRecord) => recordTitle(record),
      () => id,
    );
    titles.set(key, pending);
  }
  return pending;
}

export function recordPath(object: string, id: string): string {
  return object === 'Person' ? `/members/${id}` : `/o/${object}/${id}`;
}

/** A link to a referenced record, named by its title once known. */
export function RecordLink({ object, id }: { object: string; id: string }) {
  const [title, setTitle] = useState<string>(id);
  useEffect(() => {
    let live = true;
    titleOf(object, id).then((value) => live && setTitle(value));
    return () => {
      live = false;
    };
  }, [object, id]);
  return (
    <Anchor component={Link} to={recordPath(object, id)}>
      {title}
    </Anchor>
  );
}
