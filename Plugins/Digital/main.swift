import IndicatorKit
import Indicators

ModuleRunner.run(DigitalModule())
