/** Who the emails come from. Edit this (and the templates) to make the funnel yours. */
export const brand = {
  company: 'Brightline Analytics',
  product: 'Brightline',
  siteUrl: 'https://www.brightline.example',
  sender: 'The Brightline team',
} as const;
