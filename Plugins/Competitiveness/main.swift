// import IndicatorKit; import Indicators; ModuleRunner.run(CompetitivenessModule())  — uncomment (as three lines) once the SDK's ModuleRunner is merged.
