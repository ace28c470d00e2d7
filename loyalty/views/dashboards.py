from django.http import HttpResponse


def satisfaction(request):
    return HttpResponse("")


scorecard = satisfaction
