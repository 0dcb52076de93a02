"""The demo: one month of a mid-sized force's diversions, and partner agencies answering them."""
