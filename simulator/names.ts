// Name and time-zone pools shared by the simulated Cloud tenants (Jira, Confluence, Bitbucket, the Admin
// directory).
export const FIRST_NAMES: readonly string[] = ['Alice', 'Bruno', 'Chen', 'Dana', 'Emeka', 'Fatima', 'Giulia', 'Hiro', 'Ines', 'Jonas', 'Kofi', 'Lena', 'Mateo', 'Nadia', 'Oskar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Viktor', 'Wei', 'Ximena', 'Yusuf', 'Zara'];
export const LAST_NAMES: readonly string[] = ['Anders', 'Becker', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ito', 'Jensen', 'Kowalski', 'Lopez', 'Müller', 'Nakamura', 'Okafor', 'Petrov', 'Quinn', 'Rossi', 'Singh', 'Tanaka', 'Usman', 'Vargas', 'Wong', 'Xu', 'Young', 'Zhang'];
export const TIME_ZONES: readonly string[] = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'Europe/London', 'America/Los_Angeles', 'Asia/Kolkata', 'America/Sao_Paulo'];

/**
 * A short upper-case key for a name, unique within `used` (which it extends): the initials of several words or the
 * first four letters of one, `fallback` when fewer than two letters are left, a number appended on a clash.
 */
export function keyFor(name: string, used: Set<string>, fallback: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/[^A-Za-z ]/g, '')
    .split(/\s+/)
    .filter(Boolean);
  let base = (words.length > 1 ? words.map((w) => w[0]).join('') : (words[0] ?? '').slice(0, 4)).toUpperCase();
  if (base.length < 2) base = fallback;
  let key = base;
  for (let n = 2; used.has(key); n++) key = `${base}${n}`;
  used.add(key);
  return key;
}
