# TODO: importer FastAPI
from fastapi import FastAPI
from fastapi.responses import JSONResponse

# TODO: créer une instance FastAPI
app = FastAPI(title="simple-api")


# TODO: définir une route GET /health
@app.get('/health', response_class=JSONResponse)
async def sante() -> JSONResponse:
    etat = dict(status="ok")
    return JSONResponse(content=etat)
