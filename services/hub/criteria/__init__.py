"""The label's criteria catalogues the agency governs for the whole network: stored at the hub
(`store`), checked and sent to every member site (`publishing`), read through the API (`api`) and
published by an agency admin in the browser (`pages`)."""
