"""Post-seizure procedures: content as YAML data, validated, and walked one step at a time."""
