"""The sales service's entrypoints, one mixin per capability; ``service.SalesService`` combines them."""
