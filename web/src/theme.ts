import {
  createTheme,
  darken,
  defaultVariantColorsResolver,
  parseThemeColor,
  type CSSVariablesResolver,
  type VariantColorsResolver,
} from '@mantine/core';

// Light variants (badges, light buttons) draw their text in the colour's own shade on a pale
// tint of it; for orange, yellow and even blue that stays under 4.5:1, so the text is darkened.
const variantColorResolver: VariantColorsResolver = (input) => {
  const colors = defaultVariantColorsResolver(input);
  if (input.variant !== 'light') return colors;
  const base = parseThemeColor({ color: input.color ?? input.theme.primaryColor, theme: input.theme });
  return { ...colors, color: darken(base.value, 0.35), hoverColor: darken(base.value, 0.35) };
};

// Darker primary shades so text and buttons keep WCAG AA contrast on white.
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: 8,
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  defaultRadius: 'sm',
  focusRing: 'auto',
  variantColorResolver,
  components: {
    Anchor: { defaultProps: { c: 'blue.8' } },
  },
});

// Error text in a darker red and dimmed text (input descriptions, placeholders) in a darker gray
// than Mantine's defaults, for AA contrast (4.5:1) on white.
export const cssVariables: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-error': 'var(--mantine-color-red-8)',
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-placeholder': 'var(--mantine-color-gray-7)',
  },
  dark: {},
});
