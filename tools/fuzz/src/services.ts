export const DEFAULT_SERVICES = { count: 5000 };
export async function runServicesFuzz(_o: {
  seed: number;
  count: number;
  log?: (l: string) => void;
}): Promise<never> {
  throw new Error('not yet');
}
