import IndicatorKit
import Indicators

ModuleRunner.run(OpennessModule())
