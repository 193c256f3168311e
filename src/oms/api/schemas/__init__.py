"""Request and answer bodies of the API, one module per area of `oms.api.routes`."""
