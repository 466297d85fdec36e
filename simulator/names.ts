// Name and time-zone pools shared by the simulated Cloud tenants (Jira, Confluence, Bitbucket, the Admin
// directory).
export const FIRST_NAMES: readonly string[] = ['Alice', 'Bruno', 'Chen', 'Dana', 'Emeka', 'Fatima', 'Giulia', 'Hiro', 'Ines', 'Jonas', 'Kofi', 'Lena', 'Mateo', 'Nadia', 'Oskar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Viktor', 'Wei', 'Ximena', 'Yusuf', 'Zara'];
export const LAST_NAMES: readonly string[] = ['Anders', 'Becker', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ito', 'Jensen', 'Kowalski', 'Lopez', 'Müller', 'Nakamura', 'Okafor', 'Petrov', 'Quinn', 'Rossi', 'Singh', 'Tanaka', 'Usman', 'Vargas', 'Wong', 'Xu', 'Young', 'Zhang'];
export const TIME_ZONES: readonly string[] = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'Europe/London', 'America/Los_Angeles', 'Asia/Kolkata', 'America/Sao_Paulo'];
