"""Targeting: which ages, genders, devices, places, placements, keywords and interests work.

The page's code is ui/pages/targeting.py: Streamlit compiles this script again whenever
the last session has left, and a script this short costs nothing to compile."""

from ui.pages.targeting import main

main()
