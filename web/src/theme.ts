import { createTheme, type CSSVariablesResolver } from '@mantine/core';

// Darker primary shades so text and buttons keep WCAG AA contrast on white.
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: 8,
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  defaultRadius: 'sm',
  focusRing: 'auto',
  components: {
    Anchor: { defaultProps: { c: 'blue.8' } },
  },
});

// Error text in a darker red than Mantine's default, for AA contrast on white.
export const cssVariables: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-error': 'var(--mantine-color-red-8)' },
  dark: {},
});
