"""The shop's portal: complaints against my shop, the platform's questions, my replies and offers."""
