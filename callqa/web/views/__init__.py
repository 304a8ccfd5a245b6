"""The app's pages, one blueprint per area: account, queue, calls, trends, runs, panel."""
