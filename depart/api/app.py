# TODO: importer FastAPI

# TODO: créer une instance FastAPI

# TODO: définir une route GET /health
