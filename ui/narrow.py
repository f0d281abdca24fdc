"""The phone layout: CSS that applies only below a width, so desktop layouts stay as they are.

Streamlit draws on the server and cannot know the screen's width; the page carries both
layouts' markup and these media queries pick. The CSS is constant text written here (never
outside text); the app's Content-Security-Policy allows inline styles, not scripts.
"""

from __future__ import annotations

from typing import Final

import streamlit as st

# Containers the CSS below reaches by their key (Streamlit gives a keyed container the class
# "st-key-<key>").
TILES_KEY: Final = "kpi_tiles"  # the Overview's KPI tiles
NARROW_ONLY_KEY: Final = "narrow_only"  # shown on narrow screens only (the range picker)

# Streamlit stacks columns below 640 px; below 768 px it starts with the sidebar collapsed.
COLUMNS_STACK_PX: Final = 640
SIDEBAR_HIDDEN_PX: Final = 768

NARROW_CSS: Final = f"""
<style>
@media (min-width: {SIDEBAR_HIDDEN_PX + 1}px) {{
  /* Its wrapper too: a hidden block in a shown wrapper still takes a gap. */
  .st-key-{NARROW_ONLY_KEY},
  [data-testid="stLayoutWrapper"]:has(> .st-key-{NARROW_ONLY_KEY}) {{ display: none; }}
}}
@media (max-width: {COLUMNS_STACK_PX}px) {{
  /* Plotly's toolbar, always shown on touch, lies over the legend; zoom and pan are of
     little use on a phone. */
  [data-testid="stPlotlyChart"] .modebar-container {{ display: none; }}
  /* Less blank space above the title: the first screen is short. */
  [data-testid="stMainBlockContainer"] {{ padding-top: 4rem; }}
  /* The ten tiles wrap two a row in one flow instead of stacking one a screen: the rows
     and columns of st.columns step aside (display: contents) so every tile is an item of
     the tiles' container. */
  .st-key-{TILES_KEY} {{ flex-flow: row wrap; gap: 0.5rem; }}
  .st-key-{TILES_KEY} > div,
  .st-key-{TILES_KEY} [data-testid="stHorizontalBlock"] {{ display: contents; }}
  .st-key-{TILES_KEY} [data-testid="stColumn"] {{
    flex: 0 0 calc(50% - 0.25rem) !important;
    min-width: 0 !important;
    width: calc(50% - 0.25rem) !important;
  }}
  /* Compact tiles: as high as their content (desktop's are 190 px, ui/pages/overview.py), less
     padding, a smaller value. */
  .st-key-{TILES_KEY} [data-testid="stElementContainer"] {{
    flex: 0 0 auto !important;
    height: auto !important;
  }}
  .st-key-{TILES_KEY} [data-testid="stMetric"] {{ height: auto; padding: 0.5rem 0.75rem; }}
  .st-key-{TILES_KEY} [data-testid="stMetric"] > div:first-child {{ padding: 0; }}
  .st-key-{TILES_KEY} [data-testid="stMetricChart"] {{ margin: 0.25rem 0 0; }}
  .st-key-{TILES_KEY} [data-testid="stMetricValue"] {{ font-size: 1.5rem; }}
}}
</style>
"""


def narrow_layout_css() -> None:
    """Add the phone layout's CSS to the page (a style-only st.html takes no space)."""
    st.html(NARROW_CSS)
