"""The consumer portal: file complaints and follow them."""
