from django.http import JsonResponse


def document(request):  # placeholder until the OpenAPI document lands
    return JsonResponse({"openapi": "3.1.0"})
